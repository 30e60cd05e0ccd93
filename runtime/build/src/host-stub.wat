;; Stands in for capsule:host during the wizer snapshot, where no host exists:
;; the snapshot must not call it (a call traps and fails the build).
(module
  (func (export "call") (param i32 i32 i32 i32 i32) unreachable))
