"""Factories for the objects tests need; users come with the roles they are asked for."""

import io
import struct
import zlib
from typing import Any, cast

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from houqin.door import SystemActor
from houqin.roles import Role
from shared_apps.accounts.models import ApiToken, Membership, User, hash_token_key
from shared_apps.subsidies.models import Programme
from tenants.models import School

PASSWORD = "Test-password-2026"
# Who acts in a test's setting up: no person, like seeding or a job.
SETUP = SystemActor("tests.setup")


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user saved in one INSERT: the password is hashed before the row is written (a password
    set after it cost every user an UPDATE, and the trail a row, tens of thousands of times a
    run)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)


def make_user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


def user_with_role(role: Role | None, school: School | None = None, **kwargs: Any) -> User:
    """A user holding `role` (a district role when `school` is None), or no role at all."""
    user = make_user(**kwargs)
    if role is not None:
        Membership.objects.create(user=user, role=role.value, school=school)
    return user


def token_for(user: User) -> str:
    """A token for `user`, noted as used just now: a request with it then writes nothing about the
    token (its use is noted once a quarter hour), so tests see only what the request did."""
    key = f"test-token-{user.pk}-{user.username}"
    ApiToken.objects.get_or_create(
        user=user, key_hash=hash_token_key(key), defaults={"last_used_at": timezone.now()}
    )
    return key


def discard_user(user: User) -> None:
    """Delete a user a committed test made. Not through the ORM's cascade, which would look for
    rows pointing at the user in school tables the public schema does not have."""
    Membership.objects.across_schools().filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk)._raw_delete(using="default")


def programme_row(code: str) -> Programme:
    """The district's programme with this code (the migrations make those of `ProgrammeCode`)."""
    return Programme.objects.get(code=code)


def licence_scan() -> SimpleUploadedFile:
    """A photographed licence, as a supplier sends it: a 1200 × 800 PNG."""
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile("licence.png", out.getvalue(), content_type="image/png")


def png_claiming(width: int, height: int) -> bytes:
    """A PNG a few dozen bytes long whose header claims `width` × `height` pixels: a
    decompression bomb's shape, for the upload checks to refuse before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
