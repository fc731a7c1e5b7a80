from django.urls import include, path

from cases.views import audit as audit_views
from cases.views import cases as views
from cases.views import meetings as meeting_views
from cases.views import tasks as task_views
from cases.views import tracker as tracker_views

case_patterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="new"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/reopen/", views.case_reopen, name="reopen"),
    path("<int:case_id>/<slug:kind>/new/", views.milestone, name="milestone_new"),
    path("<int:case_id>/<slug:kind>/<int:pk>/", views.milestone, name="milestone_edit"),
]

tracker_patterns = [
    path("", tracker_views.tracker_list, name="list"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/close/", meeting_views.meeting_close, name="meeting_close"),
    path("meetings/<int:meeting_id>/agenda/", meeting_views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:meeting_id>/print/", meeting_views.meeting_print, name="meeting_print"),
    path("meetings/<int:meeting_id>/cases/<int:position>/", meeting_views.meeting_item, name="meeting_item"),
]

task_patterns = [
    path("", task_views.task_list, name="list"),
    path("reminders/", task_views.reminder_settings, name="reminders"),
]

urlpatterns = [
    path("data-dictionary/", views.data_dictionary, name="data_dictionary"),
    path("access-log/", audit_views.access_log, name="access_log"),
    path("cases/", include((case_patterns, "cases"))),
    path("tracker/", include((tracker_patterns, "tracker"))),
    path("tasks/", include((task_patterns, "tasks"))),
]
