"""The true-or-false facts ScanCode states about each file, as its JSON output names them.

The importer reads all of them into ``files`` columns; the scan engine reports the ones
``scancode.api.get_file_info`` gives. Nothing is imported here: scan workers load this module.
"""

# What ``--info`` reports (``get_file_info``).
INFO_FLAGS = ("is_binary", "is_text", "is_archive", "is_media", "is_source", "is_script")
# What ``--classify`` adds.
CLASSIFY_FLAGS = ("is_legal", "is_readme", "is_manifest", "is_key_file")
FILE_FLAGS = INFO_FLAGS + CLASSIFY_FLAGS
