package contracts

/*
#cgo linux LDFLAGS: -L/opt/pact/lib -L/usr/local/lib -Wl,-rpath -Wl,/opt/pact/lib -Wl,-rpath -Wl,/usr/local/lib -lpact_ffi
#cgo darwin LDFLAGS: -L/usr/local/lib -Wl,-rpath -Wl,/usr/local/lib -lpact_ffi
#cgo windows LDFLAGS: -lpact_ffi
#include <stdlib.h>

// The part of libpact_ffi 0.4.28's pact.h that the verifier uses.
typedef struct VerifierHandle VerifierHandle;
VerifierHandle *pactffi_verifier_new_for_application(const char *name, const char *version);
void pactffi_verifier_shutdown(VerifierHandle *handle);
void pactffi_verifier_set_provider_info(VerifierHandle *handle, const char *name, const char *scheme, const char *host, unsigned short port, const char *path);
void pactffi_verifier_add_provider_transport(VerifierHandle *handle, const char *protocol, unsigned short port, const char *path, const char *scheme);
void pactffi_verifier_set_filter_info(VerifierHandle *handle, const char *filter_description, const char *filter_state, unsigned char filter_no_state);
void pactffi_verifier_set_provider_state(VerifierHandle *handle, const char *url, unsigned char teardown, unsigned char body);
int pactffi_verifier_set_verification_options(VerifierHandle *handle, unsigned char disable_ssl_verification, unsigned long request_timeout);
int pactffi_verifier_set_coloured_output(VerifierHandle *handle, unsigned char coloured_output);
int pactffi_verifier_set_no_pacts_is_error(VerifierHandle *handle, unsigned char is_error);
int pactffi_verifier_set_publish_options(VerifierHandle *handle, const char *provider_version, const char *build_url, const char *const *provider_tags, unsigned short provider_tags_len, const char *provider_branch);
void pactffi_verifier_set_consumer_filters(VerifierHandle *handle, const char *const *consumer_filters, unsigned short consumer_filters_len);
void pactffi_verifier_add_custom_header(VerifierHandle *handle, const char *header_name, const char *header_value);
void pactffi_verifier_add_file_source(VerifierHandle *handle, const char *file);
void pactffi_verifier_url_source(VerifierHandle *handle, const char *url, const char *username, const char *password, const char *token);
void pactffi_verifier_broker_source_with_selectors(VerifierHandle *handle, const char *url, const char *username, const char *password, const char *token, unsigned char enable_pending, const char *include_wip_pacts_since, const char *const *provider_tags, unsigned short provider_tags_len, const char *provider_branch, const char *const *consumer_version_selectors, unsigned short consumer_version_selectors_len, const char *const *consumer_version_tags, unsigned short consumer_version_tags_len);
int pactffi_verifier_execute(VerifierHandle *handle);
const char *pactffi_verifier_json(const VerifierHandle *handle);
void pactffi_string_delete(char *string);
*/
import "C"

import (
	"unsafe"
)

// ffiVerifier is one run of libpact_ffi's verifier, driven directly rather
// than through pact-go's provider package: pact-go 2.4.2 reads PACT_URL,
// PACT_DESCRIPTION, PACT_PROVIDER_STATE and the PACT_BROKER_* variables
// behind its caller's back, initialises the FFI's global logger, and
// returns only pass/fail, while the FFI hands back each interaction's
// result as JSON (pactffi_verifier_json), which the per-interaction
// subtests need. Each handle is independent, so verifications may run in
// parallel.
type ffiVerifier struct {
	h *C.VerifierHandle
	// strs are the C strings handed to the FFI, freed after the run.
	strs []unsafe.Pointer
}

func newFFIVerifier() *ffiVerifier {
	v := &ffiVerifier{}
	v.h = C.pactffi_verifier_new_for_application(v.str("accord"), v.str("2"))
	return v
}

// str copies s to C memory that lives as long as the verifier.
func (v *ffiVerifier) str(s string) *C.char {
	c := C.CString(s)
	v.strs = append(v.strs, unsafe.Pointer(c))
	return c
}

// strs copies ss to a C array of C strings (nil when empty).
func (v *ffiVerifier) strArray(ss []string) (**C.char, C.ushort) {
	if len(ss) == 0 {
		return nil, 0
	}
	arr := (**C.char)(C.malloc(C.size_t(len(ss)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
	v.strs = append(v.strs, unsafe.Pointer(arr))
	elems := unsafe.Slice(arr, len(ss))
	for i, s := range ss {
		elems[i] = v.str(s)
	}
	return arr, C.ushort(len(ss))
}

func cBool(b bool) C.uchar {
	if b {
		return 1
	}
	return 0
}

func (v *ffiVerifier) providerInfo(name, scheme, host string, port int, path string) {
	C.pactffi_verifier_set_provider_info(v.h, v.str(name), v.str(scheme), v.str(host), C.ushort(port), v.str(path))
}

func (v *ffiVerifier) transport(protocol string, port int, path, scheme string) {
	C.pactffi_verifier_add_provider_transport(v.h, v.str(protocol), C.ushort(port), v.str(path), v.str(scheme))
}

// filterDescriptions verifies only the interactions whose description
// matches the regular expression re.
func (v *ffiVerifier) filterDescriptions(re string) {
	C.pactffi_verifier_set_filter_info(v.h, v.str(re), nil, 0)
}

func (v *ffiVerifier) consumers(names []string) {
	arr, n := v.strArray(names)
	C.pactffi_verifier_set_consumer_filters(v.h, arr, n)
}

func (v *ffiVerifier) stateChangeURL(url string) {
	C.pactffi_verifier_set_provider_state(v.h, v.str(url), 1, 1)
}

func (v *ffiVerifier) options(timeoutMillis int64, coloured bool) {
	C.pactffi_verifier_set_verification_options(v.h, 0, C.ulong(timeoutMillis))
	C.pactffi_verifier_set_coloured_output(v.h, cBool(coloured))
	C.pactffi_verifier_set_no_pacts_is_error(v.h, 1)
}

func (v *ffiVerifier) publish(version, buildURL, branch string) {
	C.pactffi_verifier_set_publish_options(v.h, v.str(version), v.str(buildURL), nil, 0, v.str(branch))
}

func (v *ffiVerifier) header(name, value string) {
	C.pactffi_verifier_add_custom_header(v.h, v.str(name), v.str(value))
}

func (v *ffiVerifier) fileSource(path string) { C.pactffi_verifier_add_file_source(v.h, v.str(path)) }

func (v *ffiVerifier) urlSource(url string, auth BrokerAuth) {
	C.pactffi_verifier_url_source(v.h, v.str(url), v.str(auth.Username), v.str(auth.Password), v.str(auth.Token))
}

func (v *ffiVerifier) brokerSource(url string, auth BrokerAuth, pending bool, wipSince, providerBranch string, selectors []string) {
	sel, n := v.strArray(selectors)
	var wip *C.char
	if wipSince != "" {
		wip = v.str(wipSince)
	}
	var branch *C.char
	if providerBranch != "" {
		branch = v.str(providerBranch)
	}
	C.pactffi_verifier_broker_source_with_selectors(v.h, v.str(url), v.str(auth.Username), v.str(auth.Password), v.str(auth.Token),
		cBool(pending), wip, nil, 0, branch, sel, n, nil, 0)
}

// execute runs the verification and returns the FFI's status (0 passed,
// 1 failed, 2 could not run) and its JSON result document.
func (v *ffiVerifier) execute() (int, string) {
	status := int(C.pactffi_verifier_execute(v.h))
	js := C.pactffi_verifier_json(v.h)
	var out string
	if js != nil {
		out = C.GoString(js)
		C.pactffi_string_delete((*C.char)(unsafe.Pointer(js)))
	}
	return status, out
}

// close frees the handle and every string handed to it.
func (v *ffiVerifier) close() {
	if v.h != nil {
		C.pactffi_verifier_shutdown(v.h)
		v.h = nil
	}
	for _, p := range v.strs {
		C.free(p)
	}
	v.strs = nil
}
