"""The boarding terminals' pages on a school's host: the director registers a terminal and reads
its key on the answer only (never cached, never listed), a blank or taken device name is said
next to the field with nothing registered, and a revoked key revoked again is refused with the
reason; the principal lists the terminals without the acts."""

from typing import Any

from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.transport.models import Vehicle
from tenant_apps.riders.models import Terminal
from tests.factories import user_with_role
from tests.web import form_key, page, signed_in


def test_the_director_registers_reads_the_key_once_and_revokes(school_a: Any) -> None:
    client = signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    url = "/buses/terminals/add/"
    answer = client.post(url, {"once": form_key(client, url), "device": "北门读卡器"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    with tenant_context(school_a):
        terminal = Terminal.objects.get(device="北门读卡器")
    html = answer.content.decode()
    key = html.split('id="terminal-key">', 1)[1].split("<", 1)[0]
    assert terminal.key_hash == Vehicle.key_hash(key)
    listed = page(client, "/buses/terminals/")
    assert "北门读卡器" in listed and key not in listed

    for device, said in (("", "id_device_error"), ("北门读卡器", "北门读卡器")):
        refused = client.post(url, {"once": form_key(client, url), "device": device})
        assert refused.status_code == 400 and said in refused.content.decode()
    with tenant_context(school_a):
        assert Terminal.objects.count() == 1

    revoke = f"/buses/terminals/{terminal.pk}/revoke/"
    assert client.post(revoke).status_code == 302
    again = client.post(revoke, follow=True).content.decode()
    assert '<p class="alert error" role="status">该终端已撤销。</p>' in again
    with tenant_context(school_a):
        terminal.refresh_from_db()
    assert terminal.revoked_at is not None


def test_the_principal_lists_the_terminals_without_the_acts(school_a: Any) -> None:
    principal = signed_in(school_a, user_with_role(R.PRINCIPAL, school_a))
    html = page(principal, "/buses/terminals/")
    assert "乘车刷卡终端" in html
    assert "/buses/terminals/add/" not in html and "revoke" not in html
