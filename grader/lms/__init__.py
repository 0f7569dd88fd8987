"""Learning-management systems (Canvas, Moodle): their downloads in, their gradebooks out.

Room: between the instructor's files and ``bulk/``. Modules here read and write the LMS's own file
shapes (names in a submissions zip, gradebook and worksheet CSVs, the feedback-files zip); they
never grade and never import student code. ``docs/lms.md`` says where each format detail comes from.
"""
