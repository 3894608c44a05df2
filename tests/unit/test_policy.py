from accounts.models import ANONYMOUS, Role, Scope, User
from accounts.policy import can_read_unpublished, can_send_reminders, can_write_values, covers

TRILPORT = {
    "id": "COM-77475",
    "level": "commune",
    "region_code": "11",
    "departement_code": "77",
    "epci_siren": "200072130",
    "name": "Trilport",
}
AIN = {"id": "DEP-01", "level": "departement", "region_code": "84", "departement_code": "01", "name": "Ain"}
IDF = {"id": "REG-11", "level": "region", "region_code": "11", "name": "Île-de-France"}
GUADELOUPE = {"id": "REG-01", "level": "region", "region_code": "01", "name": "Guadeloupe"}


def user(*scopes):
    return User(email=" Marie.Dupont@Example.fr ", scopes=tuple(Scope(role=r, territory_id=t) for r, t in scopes))


def test_email_is_canonical():
    assert user().email == "marie.dupont@example.fr"


def test_a_coordinator_writes_only_inside_their_region():
    coord = user((Role.coordinateur, "REG-11"))
    assert can_write_values(coord, TRILPORT) and can_write_values(coord, IDF)
    assert not can_write_values(coord, AIN)
    assert not can_write_values(coord, {"id": "FR", "level": "pays", "name": "France"})


def test_region_and_department_codes_do_not_mix_up():
    # REG-01 is Guadeloupe, DEP-01 is Ain: a Guadeloupe coordinator cannot touch Ain.
    assert not can_write_values(user((Role.coordinateur, "REG-01")), AIN)
    assert can_write_values(user((Role.coordinateur, "REG-01")), GUADELOUPE)
    assert covers("DEP-77", TRILPORT) and not covers("DEP-77", IDF)


def test_elus_readers_and_admins_write_nothing():
    for role in (Role.elu, Role.lecteur, Role.admin):
        assert not can_write_values(user((role, None)), TRILPORT)
    assert not can_read_unpublished(ANONYMOUS)
    assert can_write_values(user((Role.ministere, None)), AIN)


def test_drafts_reach_the_national_team_everywhere_and_coordinators_in_scope_only():
    coord = user((Role.coordinateur, "REG-11"))
    assert can_read_unpublished(user((Role.ministere, None)), AIN)
    assert can_read_unpublished(user((Role.ministere, None)))  # national roll-ups too
    assert can_read_unpublished(coord, TRILPORT) and not can_read_unpublished(coord, AIN)
    assert not can_read_unpublished(coord)  # figures mixing all France hold other régions' drafts
    for role in (Role.elu, Role.admin, Role.lecteur):
        assert not can_read_unpublished(user((role, "COM-77475")), TRILPORT)
    assert not can_read_unpublished(None, TRILPORT) and not can_read_unpublished(ANONYMOUS, TRILPORT)


def test_only_the_national_team_and_administrators_run_the_reminders():
    assert can_send_reminders(user((Role.ministere, None))) and can_send_reminders(user((Role.admin, None)))
    assert not can_send_reminders(user((Role.coordinateur, "REG-11")))
    assert not can_send_reminders(user((Role.elu, "COM-77475"))) and not can_send_reminders(ANONYMOUS)
