# Included after CPython's own Makefile (make -f Makefile -f link.mk capsule-link):
# links python.wasm's objects with the capsule main instead of Programs/python.o,
# reusing the exact libraries configure chose.
CAPSULE_OBJS ?=
CAPSULE_OUT ?= capsule-python.wasm
capsule-link: $(LIBRARY_DEPS)
	$(LINKCC) $(PY_CORE_LDFLAGS) $(LINKFORSHARED) -o $(CAPSULE_OUT) $(CAPSULE_OBJS) \
	  $(LINK_PYTHON_OBJS) $(LIBS) $(MODLIBS) $(SYSLIBS) $(CAPSULE_LDFLAGS)
