"""Results out: terminal table, JSON, CSV, JUnit, Gradescope, HTML pages and the class report; they never grade."""
