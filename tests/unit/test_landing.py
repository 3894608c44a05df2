"""After sign-in, only a path of this server is followed: never another site (no open redirect)."""

import pytest

from accounts.landing import after_sign_in, local_path


@pytest.mark.parametrize("wanted", ["/saisie?region=11", "/territoire?code=77475&niveau=commune", "/compte", "/"])
def test_a_local_path_is_kept_with_its_query(wanted):
    assert local_path(wanted) == wanted and after_sign_in(wanted) == wanted


@pytest.mark.parametrize(
    "wanted",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil",
        "\\\\evil",
        "/\\/evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example/saisie",
        "",
        None,
        42,
        "/\t/evil.example",
        "/\n/evil.example",
        "/connexion/compte",
        "/deconnexion",
        "/" + "a" * 2100,
    ],
)
def test_anything_else_lands_on_the_home_page(wanted):
    assert local_path(wanted) is None and after_sign_in(wanted) == "/"
