from django.urls import include, path

from cases.views import audit as audit_views
from cases.views import cases as views
from cases.views import extracts as extract_views
from cases.views import imports as import_views
from cases.views import meetings as meeting_views
from cases.views import people as people_views
from cases.views import tasks as task_views
from cases.views import tracker as tracker_views

case_patterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="new"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/reopen/", views.case_reopen, name="reopen"),
    # The people around the case, its notes and documents (before the milestone routes they would match).
    path("<int:case_id>/people/new/", people_views.person_add, name="person_new"),
    path("<int:case_id>/people/<int:pk>/", people_views.member_edit, name="member_edit"),
    path("<int:case_id>/professionals/new/", people_views.professional, name="professional_new"),
    path("<int:case_id>/professionals/<int:pk>/", people_views.professional, name="professional_edit"),
    path("<int:case_id>/notes/new/", people_views.note, name="note_new"),
    path("<int:case_id>/notes/<int:pk>/", people_views.note, name="note_edit"),
    path("<int:case_id>/documents/new/", people_views.document, name="document_new"),
    path("<int:case_id>/documents/<int:pk>/", people_views.document, name="document_edit"),
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

import_patterns = [
    path("", import_views.import_home, name="home"),
    path("template/", import_views.import_template, name="template"),
    path("<int:run_id>/", import_views.import_detail, name="detail"),
    path("<int:run_id>/mapping/", import_views.import_mapping, name="mapping"),
    path("<int:run_id>/apply/", import_views.import_apply, name="apply"),
]

task_patterns = [
    path("", task_views.task_list, name="list"),
    path("reminders/", task_views.reminder_settings, name="reminders"),
]

extract_patterns = [
    path("", extract_views.extract_index, name="index"),
    path("<slug:kind>/", extract_views.extract_download, name="download"),
]

urlpatterns = [
    path("data-dictionary/", views.data_dictionary, name="data_dictionary"),
    path("access-log/", audit_views.access_log, name="access_log"),
    path("cases/", include((case_patterns, "cases"))),
    path("tracker/", include((tracker_patterns, "tracker"))),
    path("tasks/", include((task_patterns, "tasks"))),
    path("imports/", include((import_patterns, "imports"))),
    path("returns/", include((extract_patterns, "extracts"))),
]
