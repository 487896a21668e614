"""The school's people: the student register, the staff list and the class teachers, on the
school's host."""

from django.urls import path

from tenant_apps.people.web import views

app_name = "people"

urlpatterns = [
    path("students/", views.StudentListPage.as_view(), name="students"),
    path("students/import/", views.StudentImportPage.as_view(), name="import"),
    path("students/<int:pk>/", views.StudentPage.as_view(), name="student"),
    path(
        "students/<int:pk>/national-id/",
        views.StudentNationalIdPage.as_view(),
        name="national-id",
    ),
    path("staff/", views.StaffListPage.as_view(), name="staff"),
    path("class-teachers/", views.ClassTeachersPage.as_view(), name="class-teachers"),
    path(
        "class-teachers/assign/",
        views.ClassTeacherAssignPage.as_view(),
        name="class-teacher-assign",
    ),
    path(
        "class-teachers/<int:pk>/end/",
        views.ClassTeacherEndPage.as_view(),
        name="class-teacher-end",
    ),
]
