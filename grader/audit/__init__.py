"""`grade audit`: mutants of the reference solutions graded as submissions, to find the mistakes
the checks miss.

The data path, one module a stage: ``mutants`` (one change each, made by ``operators`` on ``ast``
nodes inside the solution regions) -> ``run`` (each mutant graded in a pool worker by the engine
and sandbox a student's file goes through) -> ``classify`` (killed, survived, equivalent, error;
``probe`` replays the checks' calls to tell equivalent from unexposed) -> ``decisions``
(``audit.toml``) -> ``report``. ``course_audit`` drives them for a course; ``cache`` keeps the runs.
"""
