# Sends itself SIGKILL while being imported, after printing a fake result.
import os as _os
import signal as _signal

print('{"score": 24, "max_score": 24}')
_os.kill(_os.getpid(), _signal.SIGKILL)
