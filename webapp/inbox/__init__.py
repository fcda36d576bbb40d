"""The office's inbox for signed-in staff: list, search, read, register and answer messages (issue 20)."""
