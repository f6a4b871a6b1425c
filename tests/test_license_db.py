"""The license catalog: look-ups by ScanCode key, SPDX id or LicenseRef, and reference texts."""

from __future__ import annotations

from ospo_tui.services.licenses.expressions import combine_and, license_keys, scancode_to_spdx
from ospo_tui.services.licenses.license_db import license_catalog


def test_lookups_by_key_spdx_id_other_id_and_licenseref() -> None:
    catalog = license_catalog()
    assert catalog.get("gpl-2.0") is catalog.get("GPL-2.0-only") is catalog.get("gpl-2.0-only")
    assert catalog.get("GPL-2.0").key == "gpl-2.0"  # an "other" SPDX id
    assert catalog.get("LicenseRef-scancode-public-domain").key == "public-domain"
    assert catalog.get("no-such-license-xyz") is None
    assert catalog.get("BSL-1.0").key == "boost-1.0"  # the SPDX id, not ScanCode's bsl-1.0 key
    assert catalog.get("bsl-1.0").key == "bsl-1.0"  # an exact ScanCode key
    assert catalog.get("gpl-2.0").is_copyleft and not catalog.get("mit").is_copyleft


def test_reference_text_drops_the_front_matter() -> None:
    catalog = license_catalog()
    assert catalog.license_text("mit").startswith("Permission is hereby granted")
    assert "GNU GENERAL PUBLIC LICENSE" in catalog.license_text("GPL-2.0-only")
    assert "spdx_license_key" not in catalog.license_text("apache-2.0")
    assert catalog.license_text("public-domain") is None  # a license with no text of its own
    assert catalog.license_text("no-such-license-xyz") is None


def test_expressions_to_spdx_and_keys() -> None:
    assert scancode_to_spdx("gpl-2.0 WITH classpath-exception-2.0 OR (mit AND apache-2.0)") == (
        "GPL-2.0-only WITH Classpath-exception-2.0 OR (MIT AND Apache-2.0)"
    )
    assert scancode_to_spdx("my-own-license") == "LicenseRef-scancode-my-own-license"
    assert license_keys("mit OR (apache-2.0 AND zlib)") == {"mit", "apache-2.0", "zlib"}
    assert combine_and(["mit", "zlib", "mit"]) == "mit AND zlib"
