; Function definitions, wherever they sit (top level, inside #ifdef blocks).
(function_definition) @function
