from django.contrib import admin

from houqin.admin import ScopedModelAdmin, ServiceCall, site
from tenant_apps.feedback import services
from tenant_apps.feedback.models import Feedback


@admin.register(Feedback, site=site)
class FeedbackAdmin(ScopedModelAdmin):
    """Feedback is written by its author, through the service; answers and assignments go
    through the API's actions. Once written it is read here."""

    list_display = ["subject", "category", "status", "author", "due_at"]
    list_filter = ["status", "category"]
    search_fields = ["subject"]
    fields = [
        "category",
        "subject",
        "body",
        "status",
        "response",
        "author",
        "responded_by",
        "responded_at",
        "due_at",
        "created_at",
    ]
    readonly_fields = ["created_at"]
    add_through = ServiceCall(services.feedback_submit, fields=("category", "subject", "body"))
