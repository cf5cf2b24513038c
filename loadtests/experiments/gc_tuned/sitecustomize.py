"""What-if: fewer, cheaper garbage collections in a ChatApp server process."""

import gc
import threading

gc.set_threshold(50_000, 20, 100)
# Move what exists once the app is up (engine, handlers, sockets) out of the GC's view.
_timer = threading.Timer(10.0, gc.freeze)
_timer.daemon = True
_timer.start()
