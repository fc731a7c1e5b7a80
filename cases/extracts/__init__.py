"""What an LA has to report, out of PLO Tracker: the Children in Need census pre-proceedings module
(``census``, checked by ``validation``) and the Standard Safeguarding Dataset's ``ssd_pre_proceedings``
table (``ssd``). Reads only; every item name comes from ``cases.mapping``."""
