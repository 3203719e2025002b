"""How long work shares the process with a person waiting on it.

A scan runs for seconds to minutes beside an explorer that must answer every key: these
modules say how far it has got (:mod:`.progress`), when it gives the interpreter lock back
(:mod:`.pacing`) and when the garbage collector may run (:mod:`.heap`). Plain Python on
the ground floor: they import nothing from driftui, so every layer may use them.
"""
