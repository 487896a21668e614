from rest_framework import serializers

from houqin.api.fields import person
from tenant_apps.feedback.models import Feedback


class FeedbackSerializer(serializers.ModelSerializer):
    author = person()
    responded_by = person(allow_null=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
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
        read_only_fields = fields


class FeedbackCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Feedback.Category.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000)


class FeedbackRespondSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=10000)


class FeedbackAssignSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
