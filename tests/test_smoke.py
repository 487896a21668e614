from houqin.roles import Role


def test_me_on_school_host(client_for, school_a):
    response = client_for(school_a, Role.PRINCIPAL).get("/api/v1/me/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["school"]["code"] == school_a.code
    assert [r["role"] for r in body["roles"]] == ["principal"]
