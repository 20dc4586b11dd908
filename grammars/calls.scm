; Calls to a named function or macro: the name and the whole call.
(call_expression function: (identifier) @name) @call
; guard(class)(&lock): the inner call names the guard.
(call_expression function: (call_expression function: (identifier) @guard)) @guarded
