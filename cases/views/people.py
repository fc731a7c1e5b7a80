"""Pages for the people around a case, its notes and document links: add and correct, GOV.UK forms.

The case is fetched through ``get_visible`` and each record through its case, so another LA's case
or record is a 404. Writing needs ``WRITE_CASES`` (social workers, team managers, LA
administrators); board members and analysts get a 403 as on every case page. Every form page shown
is a read of the case (the read audit).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cases import audit, forms, services
from cases import models as m
from cases.forms import people as people_forms
from cases.permissions import SEE_IDENTIFIABLE, WRITE_CASES, get_visible, requires
from cases.selectors import history
from cases.selectors import people as people_selectors

TEMPLATE = "cases/people_form.html"


def _get(queryset, pk: int):
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def _page(
    request, family, form, *, title: str, editing: bool, section: str, shown: tuple[int, ...] = (), **extra
) -> HttpResponse:
    """The form page; ``shown``: other families it names (the people found), read with the case."""
    audit.record_read(request, kind=audit.VIEW, families=[family.pk, *shown])
    return render(
        request,
        TEMPLATE,
        {"form": form, "case": family, "title": title, "editing": editing, "section": section, **extra},
    )


def _saved(request, family, message: str, section: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{_case_url(family)}#{section}")


def _case_url(family) -> str:
    from django.urls import reverse

    return reverse("cases:detail", args=[family.pk])


def _claimed(request, form, family, title: str, section: str) -> HttpResponse | None:
    """None when the form's one-use token is fresh, else the redirect of a double submit."""
    if services.submission_claim(token=form.cleaned_data.get("submission", "")):
        return None
    messages.info(request, f"{title} was already saved.")
    return redirect(f"{_case_url(family)}#{section}")


def _record_page(
    request: HttpRequest,
    family: m.Family,
    *,
    form_class,
    instance,
    save: Callable,
    title: str,
    noun: str,
    section: str,
) -> HttpResponse:
    """Add (no pk) or correct one record of the case with its form; the change history keeps old values."""
    editing = instance.pk is not None
    if not editing:
        instance.local_authority_id = family.local_authority_id
    form = form_class(request.POST or None, instance=instance, family=family)
    if request.method == "POST" and form.is_valid():
        if (done := _claimed(request, form, family, title, section)) is not None:
            return done
        try:
            save(request.user, form.save(commit=False))
        except ValidationError as error:
            services.submission_release(token=form.cleaned_data.get("submission", ""))
            forms.add_service_errors(form, error)
        else:
            return _saved(request, family, f"{noun} {'updated' if editing else 'added'}", section)
    changes = history.record_history(instance) if editing else []
    return _page(request, family, form, title=title, editing=editing, section=section, history=changes)


# -- parents and carers ----------------------------------------------------------------------------


@requires(SEE_IDENTIFIABLE)
@requires(WRITE_CASES)
def person_add(request: HttpRequest, case_id: int) -> HttpResponse:
    """Add a parent or carer: the LA's people with the same surname and date of birth are offered
    first, so the same person is linked (and their earlier proceedings show) rather than recorded twice."""
    family = get_visible(m.Family, user=request.user, pk=case_id)
    person = m.Person(local_authority_id=family.local_authority_id)
    form = people_forms.PersonAddForm(request.POST or None, instance=person, family=family)
    title = "Add a parent or carer"
    matches: list[m.Person] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = people_selectors.person_matches(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
        )
        choice = data.get("same_person", "")
        if not matches or choice == people_forms.NEW_PERSON:
            return _person_save(request, family, form, form.save(commit=False), title)
        here = [person for person in matches if any(link.family_id == family.pk for link in person.memberships.all())]
        others = [person for person in matches if person not in here]
        choices = form.offer(others)
        chosen = form.chosen(choice)
        if chosen:
            return _person_save(request, family, form, chosen, title)
        for person in here:
            roles = ", ".join(
                link.get_role_display().lower() for link in person.memberships.all() if link.family_id == family.pk
            )
            form.add_error(
                None,
                f"{person} is already recorded on this case ({roles}): change their details from the case page, "
                "or select that this is someone else.",
            )
        # Shown again with the people found; asked a second time with no answer, it says so.
        if "same_person" in request.POST and others:
            form.add_error("same_person", "Select whether this is one of the people listed")
        shown = tuple({link.family_id for person in others for link in person.memberships.all()})
        return _page(request, family, form, title=title, editing=False, section="people", choices=choices, shown=shown)
    return _page(request, family, form, title=title, editing=False, section="people")


def _person_save(request, family, form, person: m.Person, title: str) -> HttpResponse:
    if (done := _claimed(request, form, family, title, "people")) is not None:
        return done
    try:
        services.family_member_add(user=request.user, family=family, person=person, role=form.cleaned_data["role"])
    except ValidationError as error:
        services.submission_release(token=form.cleaned_data.get("submission", ""))
        forms.add_service_errors(form, error)
        return _page(request, family, form, title=title, editing=False, section="people")
    linked = (
        " (linked to their record from another family)" if person.memberships.exclude(family=family).exists() else ""
    )
    return _saved(request, family, f"{person} added{linked}", "people")


@requires(SEE_IDENTIFIABLE)
@requires(WRITE_CASES)
def member_edit(request: HttpRequest, case_id: int, pk: int) -> HttpResponse:
    """Correct a parent or carer's details (kept for every family they are in) and their role here."""
    family = get_visible(m.Family, user=request.user, pk=case_id)
    member = _get(m.FamilyMember.objects.filter(family=family).select_related("person"), pk)
    form = people_forms.PersonForm(request.POST or None, instance=member.person, family=family, member=member)
    if request.method == "POST" and form.is_valid():
        if (done := _claimed(request, form, family, "The parent or carer", "people")) is not None:
            return done
        member.role = form.cleaned_data["role"]
        try:
            services.family_member_save(user=request.user, member=member, person=form.save(commit=False))
        except ValidationError as error:
            services.submission_release(token=form.cleaned_data.get("submission", ""))
            forms.add_service_errors(form, error)
        else:
            return _saved(request, family, f"{member.person} updated", "people")
    # The person's details are what is corrected here (their role in this family too).
    changes = history.record_history(member.person)
    return _page(request, family, form, title="Parent or carer", editing=True, section="people", history=changes)


# -- professionals, notes and documents -------------------------------------------------------------


@requires(SEE_IDENTIFIABLE)
@requires(WRITE_CASES)
def professional(request: HttpRequest, case_id: int, pk: int | None = None) -> HttpResponse:
    """Add or correct a professional on the case (solicitor, children's guardian, LA lawyer)."""
    family = get_visible(m.Family, user=request.user, pk=case_id)
    instance = _get(family.professionals.all(), pk) if pk else m.Professional(family=family)
    return _record_page(
        request,
        family,
        form_class=people_forms.ProfessionalForm,
        instance=instance,
        save=lambda user, record: services.professional_save(user=user, professional=record),
        title="Professional" if pk else "Add a professional",
        noun="Professional",
        section="people",
    )


@requires(SEE_IDENTIFIABLE)
@requires(WRITE_CASES)
def note(request: HttpRequest, case_id: int, pk: int | None = None) -> HttpResponse:
    """Add or correct a case note (visit, meeting, conversation, legal advice, other)."""
    family = get_visible(m.Family, user=request.user, pk=case_id)
    instance = _get(family.notes.all(), pk) if pk else m.CaseNote(family=family)
    return _record_page(
        request,
        family,
        form_class=people_forms.CaseNoteForm,
        instance=instance,
        save=lambda user, record: services.case_note_save(user=user, note=record),
        title="Case note" if pk else "Add a case note",
        noun="Case note",
        section="notes",
    )


@requires(SEE_IDENTIFIABLE)
@requires(WRITE_CASES)
def document(request: HttpRequest, case_id: int, pk: int | None = None) -> HttpResponse:
    """Add or correct a link to a letter, minutes, report or order in the LA's document store."""
    family = get_visible(m.Family, user=request.user, pk=case_id)
    instance = _get(family.documents.all(), pk) if pk else m.DocumentLink(family=family)
    return _record_page(
        request,
        family,
        form_class=people_forms.DocumentLinkForm,
        instance=instance,
        save=lambda user, record: services.document_link_save(user=user, document=record),
        title="Document link" if pk else "Add a document link",
        noun="Document link",
        section="documents",
    )
