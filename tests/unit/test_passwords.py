"""Argon2id hashing and the minimum password rules."""

from accounts import passwords


def test_hash_is_argon2id_salted_and_verifies_only_the_right_password():
    first, second = passwords.hash_password("une phrase de passe"), passwords.hash_password("une phrase de passe")
    assert first.startswith("$argon2id$") and first != second  # salted
    assert passwords.verify_password(first, "une phrase de passe")
    assert not passwords.verify_password(first, "Une phrase de passe")
    assert not passwords.verify_password(None, "une phrase de passe")  # ProConnect-only account
    assert not passwords.verify_password("pas un hash", "une phrase de passe")
    assert not passwords.needs_rehash(first)


def test_rules_are_explained_in_french():
    assert passwords.password_problems("abab") == [
        "il compte 4 caractères, il en faut au moins 12",
        "il doit contenir au moins 5 caractères différents",
    ]
    assert "il ne doit pas contenir votre adresse e-mail" in passwords.password_problems(
        "marie.dupont-2026!", "Marie.Dupont@exemple.fr"
    )
    assert "c'est un mot de passe trop courant" in passwords.password_problems("Carrefours2026!")
    assert passwords.password_problems("aaaaaaaaaaaaaaaa") == ["il doit contenir au moins 5 caractères différents"]
    assert passwords.password_problems("x" * 129 + "abcdef")[0] == "il dépasse 128 caractères"
    assert passwords.password_problems("trois pommes vertes", "marie@exemple.fr") == []
    assert "12 caractères" in passwords.RULES_FR


def test_generated_passwords_meet_the_rules_and_differ():
    generated = {passwords.generate_password() for _ in range(20)}
    assert len(generated) == 20
    assert all(not passwords.password_problems(p) for p in generated)
