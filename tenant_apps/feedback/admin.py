from django.contrib import admin

from houqin.admin import ScopedModelAdmin, site
from tenant_apps.feedback.models import Feedback


@admin.register(Feedback, site=site)
class FeedbackAdmin(ScopedModelAdmin):
    list_display = ["subject", "category", "status", "author", "due_at"]
    list_filter = ["status", "category"]
    search_fields = ["subject"]
    readonly_fields = ["author", "created_at", "responded_by", "responded_at"]
