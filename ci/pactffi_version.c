/* pactffi_version: print the version a libpact_ffi build reports about itself.
 * Used by ci/setup.sh so that "installed" means "the right version loads",
 * not merely "a file exists". */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
	if (argc != 2) {
		fprintf(stderr, "usage: %s /path/to/libpact_ffi.so\n", argv[0]);
		return 2;
	}
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
		return 1;
	}
	const char *(*version)(void) = (const char *(*)(void))dlsym(lib, "pactffi_version");
	if (version == NULL) {
		fprintf(stderr, "%s has no pactffi_version symbol\n", argv[1]);
		return 1;
	}
	printf("%s\n", version());
	return 0;
}
