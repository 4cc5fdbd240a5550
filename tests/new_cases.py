"""`pmkb new` invocations whose output is held byte for byte in tests/golden_new/ (written
before `pmkb import` started sharing the template, so the sharing changed none of them)."""

CASES: dict[str, list[str]] = {
    "minimal": ["Customer comms stopped", "--service", "notifications", "--severity", "SEV2", "--author", "Priya Raman", "--today", "2024-03-15"],
    "dated": ["Customer comms stopped", "--service", "notifications", "--severity", "SEV2", "--author", "Priya Raman", "--date", "2024-03-14", "--today", "2024-03-15"],
    "started": ["Customer comms stopped", "--service", "notifications", "--severity", "SEV1", "--author", "A", "--started", "2024-02-28T22:10+01:00", "--today", "2024-03-03"],
    "many": [
        "Search results stale", "--service", "search", "--service", "catalog", "--team", "discovery", "--team", "platform",
        "--severity", "SEV3", "--author", "A. Author", "--author", "Zoë Ńame", "--today", "2025-06-01",
    ],
    "lightweight": ["Queue stalled", "--service", "notifications", "--severity", "SEV4", "--author", "A", "--template", "lightweight", "--today", "2024-03-15"],
    "special": ['Checkout: "payments" down #2 & retries \\ {x} [y]', "--service", "check: out", "--service", "'q'", "--severity", "SEV1", "--author", "O'Brien, \"Pat\"", "--team", "a#b", "--today", "2024-03-15"],
}
