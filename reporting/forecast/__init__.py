"""The breach forecast: which open applications will pass 26 weeks, honestly validated.

``features`` (facts known at a date), ``model`` (Kaplan-Meier and Cox), ``backtest`` (rolling monthly
validation against two baselines), ``services`` (train and store), ``selectors`` (reads for the pages).
"""
