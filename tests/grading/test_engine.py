"""The engine end to end on `optim`: honest work, stubs, real-world conventions and hostile basics.

Each hostile submission cheats in one function and is honest elsewhere: it must score zero where it
cheats, keep its honest points, and the grader must survive.
"""

import signal
import textwrap

import pytest

from tests.grading.conftest import CHECK_TIMEOUT, by_name, functions_max, functions_score

OTHERS = ["sgd", "sgd_momentum", "rmsprop"]


def with_override(reference: str, code: str) -> str:
    return reference + "\n\n" + textwrap.dedent(code)


def assert_honest_elsewhere(result, cheated: str):
    for f in OTHERS + ["adam"]:
        if f == cheated:
            continue
        assert functions_score(result, f) == functions_max(result, f), f
    assert functions_score(result, cheated) == 0


def test_reference_scores_full(grade_source, optim_reference_source):
    result = grade_source(optim_reference_source)
    assert result.status == "graded"
    assert result.score == result.max_score > 0
    assert all(c.status == "passed" for c in result.checks)


def test_stub_scores_zero_with_clear_messages(grade_source, optim):
    from grader.grading.workdir import base_files

    stub = base_files(optim)["optim.py"].decode()
    result = grade_source(stub)
    assert result.status == "graded" and result.score == 0
    assert all(c.status == "error" and "NotImplementedError" in c.message for c in result.checks)
    assert all("optim.py, line" in c.message for c in result.checks if not c.hidden)


def test_cs231n_style_file_grades_full(grade_source):
    source = '''
    import numpy as np

    def sgd(w, dw, config=None):
        if config is None: config = {}
        config.setdefault('learning_rate', 1e-2)
        w -= config['learning_rate'] * dw
        return w, config

    def sgd_momentum(x, dx, config=None):
        if config is None: config = {}
        config.setdefault('learning_rate', 1e-2)
        config.setdefault('momentum', 0.9)
        v = config.get('velocity', np.zeros_like(x))
        v = config['momentum'] * v - config['learning_rate'] * dx
        next_x = x + v
        config['velocity'] = v
        return next_x, config

    def rmsprop(x, dx, config=None):
        if config is None: config = {}
        config.setdefault('learning_rate', 1e-2)
        config.setdefault('decay_rate', 0.99)
        config.setdefault('epsilon', 1e-8)
        config.setdefault('cache', np.zeros_like(x))
        config['cache'] = config['decay_rate'] * config['cache'] + (1 - config['decay_rate']) * dx**2
        next_x = x - config['learning_rate'] * dx / (np.sqrt(config['cache']) + config['epsilon'])
        return next_x, config

    def adam(x, dx, config=None):
        if config is None: config = {}
        config.setdefault('learning_rate', 1e-3)
        config.setdefault('beta1', 0.9)
        config.setdefault('beta2', 0.999)
        config.setdefault('epsilon', 1e-8)
        config.setdefault('m', np.zeros_like(x))
        config.setdefault('v', np.zeros_like(x))
        config.setdefault('t', 0)
        config['t'] += 1
        config['m'] *= config['beta1']
        config['m'] += (1 - config['beta1']) * dx
        config['v'] = config['beta2'] * config['v'] + (1 - config['beta2']) * (dx**2)
        mt = config['m'] / (1 - config['beta1']**config['t'])
        vt = config['v'] / (1 - config['beta2']**config['t'])
        next_x = x - config['learning_rate'] * mt / (np.sqrt(vt) + config['epsilon'])
        return next_x, config
    '''
    result = grade_source(textwrap.dedent(source))
    assert result.score == result.max_score, [(c.name, c.message) for c in result.checks if c.status != "passed"]


def test_adam_without_bias_correction_is_diagnosed(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def adam(w, dw, config=None):
        config = {} if config is None else config
        for k, d in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8), ("t", 0)):
            config.setdefault(k, d)
        config.setdefault("m", np.zeros_like(w)); config.setdefault("v", np.zeros_like(w))
        config["t"] += 1
        config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
        config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw ** 2
        return w - config["learning_rate"] * config["m"] / (np.sqrt(config["v"]) + config["epsilon"]), config
    '''))
    update = by_name(result)["adam_update"]
    assert update.status == "failed" and "bias correction" in update.hint
    assert "largest error" in update.message and "expected" in update.message
    for f in OTHERS:
        assert functions_score(result, f) == functions_max(result, f)


def test_syntax_error_is_not_gradable_with_line(grade_source):
    result = grade_source("import numpy as np\n\ndef sgd(w, dw, config=None)\n    return w\n")
    assert result.status == "not_gradable" and result.score == 0
    assert "SyntaxError" in result.message and "line 3" in result.message


def test_missing_function_costs_only_its_checks(grade_source, optim_reference_source):
    source = optim_reference_source.replace("def rmsprop(", "def rms_prop(")
    result = grade_source(source)
    assert functions_score(result, "rmsprop") == 0
    assert "defines no 'rmsprop'" in by_name(result)["rmsprop_update"].message
    for f in ["sgd", "sgd_momentum", "adam"]:
        assert functions_score(result, f) == functions_max(result, f)


def test_sys_exit_at_import_is_not_gradable(grade_source, optim_reference_source):
    result = grade_source("import sys\nsys.exit(0)\n" + optim_reference_source)
    assert result.status == "not_gradable" and result.score == 0
    assert "exit" in result.message


def test_os_exit_inside_a_function(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def adam(w, dw, config=None):
        import os
        os._exit(0)
    '''))
    assert result.status == "graded"
    assert all(c.status == "error" for c in result.checks if c.functions == ["adam"])
    assert "process ended" in by_name(result)["adam_update"].message
    assert_honest_elsewhere(result, "adam")


def test_raise_system_exit_inside_a_function(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def rmsprop(w, dw, config=None):
        raise SystemExit(0)
    '''))
    assert "SystemExit" in by_name(result)["rmsprop_update"].message
    assert_honest_elsewhere(result, "rmsprop")


def test_infinite_loop_times_out_and_the_rest_is_graded(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def sgd_momentum(w, dw, config=None):
        while True:
            pass
    '''))
    momentum = [c for c in result.checks if c.functions == ["sgd_momentum"]]
    assert len(momentum) > 1 and all(c.status == "timeout" for c in momentum)
    assert f"timed out after {CHECK_TIMEOUT} s" in momentum[0].message
    # the function is not run again: later checks of it say why instead of waiting once more each
    assert all("already timed out in check " + momentum[0].name in c.message for c in momentum[1:])
    assert_honest_elsewhere(result, "sgd_momentum")


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="POSIX signals (the submission sets their handlers)")
def test_loop_that_ignores_signals_and_catches_base_exception(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def sgd(w, dw, config=None):
        import signal
        for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGXCPU):
            signal.signal(s, signal.SIG_IGN)
        while True:
            try:
                while True:
                    pass
            except BaseException:
                continue
    '''))
    assert all(c.status == "timeout" for c in result.checks if c.functions == ["sgd"])
    assert_honest_elsewhere(result, "sgd")


def test_patched_numpy_comparisons_change_nothing(grade_source, optim_reference_source):
    source = textwrap.dedent('''
    import numpy, numpy.testing
    numpy.allclose = lambda *a, **k: True
    numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), dtype=bool)
    numpy.array_equal = lambda *a, **k: True
    numpy.testing.assert_allclose = lambda *a, **k: None
    import builtins
    builtins.abs = lambda x: 0
    ''') + optim_reference_source + textwrap.dedent('''

    def sgd(w, dw, config=None):
        return w, (config or {})
    ''')
    result = grade_source(source)
    assert_honest_elsewhere(result, "sgd")


def test_lying_ndarray_subclass_is_judged_by_its_numbers(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    class Liar(np.ndarray):
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __abs__(self): return np.zeros(self.shape)
        def __lt__(self, other): return True
        def __le__(self, other): return True
        def __sub__(self, other): return np.zeros(self.shape)
        def __float__(self): return 0.0

    def sgd(w, dw, config=None):
        return np.full_like(w, 12345.0).view(Liar), (config or {})
    '''))
    assert_honest_elsewhere(result, "sgd")


def test_printing_fake_results_and_writing_results_json_change_nothing(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    import json, sys, os
    print(json.dumps({"score": 100, "max_score": 100, "status": "passed"}))
    sys.stderr.write('{"tests": [{"score": 100, "status": "passed"}]}\\n')
    for fd in range(3, 64):
        try:
            os.write(fd, b'\\x10\\x00\\x00\\x00{"t":"bye"}' * 4)
        except OSError:
            pass
    open("results.json", "w").write('{"score": 100}')

    def adam(w, dw, config=None):
        return w, (config or {})
    '''))
    assert result.status in ("graded", "not_gradable")
    assert functions_score(result, "adam") == 0


def test_object_arrays_and_nan_are_refused_per_check(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def sgd(w, dw, config=None):
        return np.array([object()] * w.size), (config or {})

    def rmsprop(w, dw, config=None):
        return np.full_like(w, np.nan), (config or {})
    '''))
    assert functions_score(result, "sgd") == 0
    assert all(c.status in ("error", "failed") for c in result.checks if c.functions == ["sgd"])
    assert "NaN" in by_name(result)["rmsprop_update"].message
    assert functions_score(result, "adam") == functions_max(result, "adam")


def test_hidden_checks_never_show_expected_values(grade_source, optim_reference_source):
    result = grade_source(with_override(optim_reference_source, '''
    def adam(w, dw, config=None):
        return w * 1.5, (config or {})
    '''))
    hidden = [c for c in result.checks if c.hidden and c.status != "passed"]
    assert hidden
    for c in hidden:
        assert "expected" not in c.message and "got" not in c.message


def test_hidden_inputs_differ_per_student_but_are_reproducible(engine, optim):
    [check] = [c for c in optim.hidden_checks if "adam" in c.functions][:1]
    a1, a2, b = (engine.seed(check, s) for s in ("alice", "alice", "bob"))
    assert a1 == a2 != b


def test_object_array_output_is_refused_by_the_child():
    import numpy as np

    from grader.checks.scenario import numeric_array
    from grader.checks.values import NotNumeric

    with pytest.raises(NotNumeric):
        numeric_array(np.array([object(), 1]))
    with pytest.raises(NotNumeric):
        numeric_array("text")
    sub = np.arange(3.0).view(np.matrix)
    assert type(numeric_array(sub)) is np.ndarray
