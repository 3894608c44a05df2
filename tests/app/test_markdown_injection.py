"""Text from the URL, from users and from accounts reaches the page as text: no link, no image."""

import pytest
from markdown_it import MarkdownIt

from accounts.models import Role, Scope, User
from ui.context import _start

LINK = "[Session expirée : reconnectez-vous ici](http://evil.example/login)"
IMAGE = "![](http://evil.example/pixel.png)"
AUTOLINK = "voir http://evil.example/a, <http://evil.example/b> et www.evil.example/c"
MINISTRY = User(email="m@x.fr", scopes=(Scope(role=Role.ministere),))
# GFM as Streamlit renders it: CommonMark plus autolinks of bare URLs and e-mails.
MARKDOWN = MarkdownIt("gfm-like")


def bodies(at) -> list[str]:
    """Every Markdown string the run handed to Streamlit (main area and sidebar)."""
    found = [
        str(e.value)
        for e in (
            *at.markdown,
            *at.caption,
            *at.error,
            *at.warning,
            *at.info,
            *at.success,
            *at.title,
            *at.header,
            *at.subheader,
        )
    ]
    return found + [e.label for e in (*at.metric, *at.expander)]


def links_and_images(at) -> list[str]:
    """Links and images those strings render to."""
    found = []
    for body in bodies(at):
        for block in MARKDOWN.parse(body):
            for token in block.children or []:
                if token.type == "link_open":
                    found.append(token.attrs["href"])
                elif token.type == "image":
                    found.append(token.attrs["src"])
    return found


def rendered_text(at) -> str:
    return " ".join(MARKDOWN.render(b) for b in bodies(at))


@pytest.mark.parametrize("attack", [LINK, IMAGE, AUTOLINK], ids=["lien", "image", "adresses"])
@pytest.mark.parametrize("page, parameter", [("ui/territoire.py", "territoire"), ("ui/mesures.py", "mesure")])
def test_an_address_parameter_is_shown_as_text_in_the_unknown_box(app, page, parameter, attack):
    app.switch_page(page)
    app.query_params[parameter] = attack
    at = app.run()
    assert not at.exception
    assert any("inconnu" in e.value or "n'existe pas" in e.value for e in at.error)
    assert not [href for href in links_and_images(at) if "evil" in href]
    assert "evil.example" in rendered_text(at)  # shown, as text


def _app_database():
    """The database the app under test opened in this process (built once, in the background)."""
    start = _start()
    assert start.wait(300) and start.error is None
    return start.database


@pytest.fixture
def hostile_note():
    """Removes the follow-up notes the test writes through the page."""
    yield
    with _app_database().transaction() as cur:
        cur.execute("DELETE FROM measure_note WHERE text LIKE '%evil.example%'")


def test_a_follow_up_note_is_shown_as_text_to_every_reader(app, hostile_note):
    app.session_state["user"] = MINISTRY
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M2.1"
    at = app.run()
    at.text_area[0].input(f"Point d'étape {IMAGE} {LINK}")
    at = next(b for b in at.button if b.label == "Ajouter la note").click().run()
    assert not at.exception and "Note ajoutée." in [s.value for s in at.success]
    assert "Point d" in rendered_text(at)
    assert not [href for href in links_and_images(at) if "evil" in href]
    del app.session_state["user"]  # an anonymous reader opens the same page
    at = app.run()
    assert "Point d" in rendered_text(at) and "evil.example/pixel.png" in rendered_text(at)
    assert not [href for href in links_and_images(at) if "evil" in href]


def test_an_account_name_and_e_mail_are_shown_as_text(app):
    app.session_state["user"] = User(
        email="pirate@evil.example", name=f"{IMAGE} {LINK}", scopes=(Scope(role=Role.elu, territory_id="COM-77475"),)
    )
    app.switch_page("ui/compte.py")
    at = app.run()
    assert not at.exception
    assert "Session expirée" in rendered_text(at)  # the name shows, in the sidebar and on the page
    assert not [href for href in links_and_images(at) if "evil" in href]
