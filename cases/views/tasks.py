"""My tasks: what is due and overdue across the signed-in user's caseload, and their reminder email setting."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cases import audit
from cases import constants as c
from cases.forms.tasks import ReminderSettingsForm, TaskFilterForm
from cases.permissions import SEE_IDENTIFIABLE, requires
from cases.selectors import tasks
from cases.services import reminders


@requires(SEE_IDENTIFIABLE)
def task_list(request: HttpRequest) -> HttpResponse:
    """Every item due on my caseload, filtered and sorted as asked (defaults for a wrong choice)."""
    today = timezone.localdate()
    form = TaskFilterForm(request.GET or None)
    form.is_valid()  # a wrong value is shown as an error; the others still apply
    chosen = form.choices()
    everything = tasks.task_list(user=request.user, today=today)
    shown = tasks.sort_tasks(
        tasks.filter_tasks(everything, today=today, show=chosen["show"], days=chosen["days"], kind=chosen["kind"]),
        chosen["sort"],
    )
    # The page names families, so it is a read of their children's records (ids only are recorded).
    audit.record_read(request, kind=audit.VIEW, families={task.case.pk for task in shown})
    return render(
        request,
        "cases/tasks.html",
        {
            "form": form,
            "chosen": chosen,
            "tasks": shown,
            "total": len(everything),
            "overdue": sum(task.overdue for task in everything),
            "filtered": bool(request.GET) and len(shown) != len(everything),
            "show_worker": request.user.role != c.Role.SOCIAL_WORKER,
            "today": today,
        },
    )


@requires(SEE_IDENTIFIABLE)
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """Turn the daily task reminder email on or off."""
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["task_reminders"]
        reminders.reminders_set(user=request.user, enabled=enabled)
        messages.success(request, "Daily task reminders turned on" if enabled else "Daily task reminders turned off")
        return redirect("tasks:list")
    return render(request, "cases/reminder_settings.html", {"form": form})
