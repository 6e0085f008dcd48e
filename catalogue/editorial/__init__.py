"""The way facts change: readers' reports and suggestions, provider invitations, the editors' desk,
the write path into the Markdown files, contacts, the campaign, coverage and outgoing mail."""
