"""The trust boundary: student code runs only in a child process; only data crosses back."""
