"""ContactImporter driven like a person would: upload or DataFrame, lists, dry run, progress, failed rows."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from nitrosend_nb.widgets import ContactImporter

CSV = b"email,first_name,Plan\nada@example.com,Ada,gold\nbroken,Bob,silver\nbea@example.com,Bea,\n"


def upload_value(content: bytes, name: str = "people.csv") -> tuple:
    return (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime(2026, 11, 1, tzinfo=timezone.utc),
        },
    )


def test_uploaded_csv_is_imported_into_the_chosen_list_and_failed_rows_are_shown(ns, visible_text):
    importer = ns.contact_importer()
    assert "choose a CSV file" in importer.source_label.value
    importer.upload.value = upload_value(CSV)
    assert "people.csv: 3 rows" in importer.source_label.value
    chosen = importer.lists.options[1][1]
    importer.lists.value = (chosen,)
    importer.import_button.click()
    assert importer.status.kind == "success"  # the import completed (some rows failed, reported below)
    record = importer.result.record
    assert (record["success_rows"], record["failed_rows"], record["assigned_list_ids"]) == (2, 1, [chosen])
    assert importer.progress.value == 100
    assert "2 of 3 rows imported, 1 failed" in importer.status.text
    assert "Failed rows" in importer.failed_table.value and "broken" in importer.failed_table.value
    ada = ns.contacts.search("ada@example.com")
    assert ada.iloc[0]["data.plan"] == "gold" and ada.iloc[0]["list_ids"] == [chosen]
    assert "nskey_" not in visible_text(importer)


def test_a_dataframe_dry_run_writes_nothing_and_skipped_columns_are_ignored(ns):
    frame = pd.DataFrame({"email": ["cy@example.com", "cy@example.com"], "notes": ["a", "b"]})
    importer = ns.contact_importer(df=frame)
    assert "the DataFrame: 2 rows" in importer.source_label.value
    importer.other_columns.value = "skip"
    importer.dry_run.value = True
    importer.import_button.click()
    assert "dry run" in importer.status.text and "1 of 2 rows valid" in importer.status.text
    assert "duplicate of row 1" in importer.failed_table.value
    assert ns.contacts.search("cy@example.com").empty


def test_nothing_to_import_and_unreadable_files_are_explained(ns):
    importer = ContactImporter(ns)
    importer.import_button.click()
    assert importer.status.kind == "error" and "Choose a CSV file" in importer.status.text
    importer.upload.value = upload_value(b'email\n"unterminated\n' + b"\xff\xfe", "bad.csv")
    importer.import_button.click()
    assert importer.status.kind == "error" and importer.result is None
