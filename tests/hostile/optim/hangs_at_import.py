# Sleeps forever at import (after defining everything honestly).
import time as _time

while True:
    _time.sleep(1)
