"""How a notice leaves the school: pluggable channels, chosen per channel name by the setting
`NOTICE_CHANNELS` (a dotted path per name; the defaults below, the console for the demo)."""

import json
import logging
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULTS = {
    "sms": "tenant_apps.notices.channels.SmsGateway",
    "email": "tenant_apps.notices.channels.Email",
    "console": "tenant_apps.notices.channels.Console",
}
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """The channel did not take the notice; it stays pending and is tried again."""


class Channel(Protocol):
    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None: ...


class SmsGateway:
    """An SMS gateway over HTTP: a JSON POST to `NOTICE_SMS_URL`; the gateway deduplicates by
    the notice's key, so a notice sent twice (a worker killed after sending) reaches one phone
    once."""

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        payload = json.dumps({"to": recipient, "text": f"【{subject}】{body}", "id": key}).encode()
        request = urllib.request.Request(  # noqa: S310 - the gateway's URL is the operator's
            settings.NOTICE_SMS_URL,
            data=payload,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                if answer.status >= 300:
                    raise DeliveryFailed(f"gateway answered {answer.status}")
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc


class Email:
    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        message = EmailMessage(subject, body, to=[recipient], headers={"X-Houqin-Notice": key})
        try:
            message.send()
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc


class Console:
    """Writes the notice to the log: the demo's and development's channel."""

    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        logger.info("notice %s to %s: %s — %s", key, recipient, subject, body)


def channel_for(name: str) -> Channel:
    path = {**DEFAULTS, **settings.NOTICE_CHANNELS}[name]
    channel: Channel = import_string(path)()
    return channel
