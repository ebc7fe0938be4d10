"""``autograder release``: the instructor's source of a problem set -> the student version."""
