#include "ccurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

/* The libcurl entry points polyforge uses, resolved once. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_reset)(CURL *);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    curl_mime *(*mime_init)(CURL *);
    curl_mimepart *(*mime_addpart)(curl_mime *);
    CURLcode (*mime_name)(curl_mimepart *, const char *);
    CURLcode (*mime_filename)(curl_mimepart *, const char *);
    CURLcode (*mime_type)(curl_mimepart *, const char *);
    CURLcode (*mime_data)(curl_mimepart *, const char *, size_t);
    void (*mime_free)(curl_mime *);
    curl_version_info_data *(*version_info)(CURLversion);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[512];

static void load(void) {
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libcurl (libcurl.so.4): %s; install Debian's libcurl4",
                 why ? why : "not found");
        return;
    }
#define RESOLVE(field, name)                                                                                    \
    do {                                                                                                        \
        *(void **)&curl.field = dlsym(lib, name);                                                               \
        if (!curl.field) {                                                                                      \
            snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s: it is older than 7.56", name);     \
            return;                                                                                             \
        }                                                                                                       \
    } while (0)
    RESOLVE(global_init, "curl_global_init");
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_reset, "curl_easy_reset");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_perform, "curl_easy_perform");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    RESOLVE(mime_init, "curl_mime_init");
    RESOLVE(mime_addpart, "curl_mime_addpart");
    RESOLVE(mime_name, "curl_mime_name");
    RESOLVE(mime_filename, "curl_mime_filename");
    RESOLVE(mime_type, "curl_mime_type");
    RESOLVE(mime_data, "curl_mime_data");
    RESOLVE(mime_free, "curl_mime_free");
    RESOLVE(version_info, "curl_version_info");
#undef RESOLVE
    loaded = 1;
}

int ccurl_available(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *ccurl_load_error(void) { return ccurl_available() ? NULL : load_error; }

CURLcode ccurl_global_init(long flags) { return ccurl_available() ? curl.global_init(flags) : CURLE_FAILED_INIT; }
CURL *ccurl_easy_init(void) { return ccurl_available() ? curl.easy_init() : NULL; }
void ccurl_easy_reset(CURL *h) { if (ccurl_available() && h) curl.easy_reset(h); }
void ccurl_easy_cleanup(CURL *h) { if (ccurl_available() && h) curl.easy_cleanup(h); }
CURLcode ccurl_easy_perform(CURL *h) { return ccurl_available() ? curl.easy_perform(h) : CURLE_FAILED_INIT; }
const char *ccurl_easy_strerror(CURLcode code) { return ccurl_available() ? curl.easy_strerror(code) : load_error; }
struct curl_slist *ccurl_slist_append(struct curl_slist *l, const char *s) { return ccurl_available() ? curl.slist_append(l, s) : NULL; }
void ccurl_slist_free_all(struct curl_slist *l) { if (ccurl_available() && l) curl.slist_free_all(l); }
curl_mime *ccurl_mime_init(CURL *h) { return ccurl_available() ? curl.mime_init(h) : NULL; }
curl_mimepart *ccurl_mime_addpart(curl_mime *m) { return ccurl_available() ? curl.mime_addpart(m) : NULL; }
CURLcode ccurl_mime_name(curl_mimepart *p, const char *s) { return ccurl_available() ? curl.mime_name(p, s) : CURLE_FAILED_INIT; }
CURLcode ccurl_mime_filename(curl_mimepart *p, const char *s) { return ccurl_available() ? curl.mime_filename(p, s) : CURLE_FAILED_INIT; }
CURLcode ccurl_mime_type(curl_mimepart *p, const char *s) { return ccurl_available() ? curl.mime_type(p, s) : CURLE_FAILED_INIT; }
CURLcode ccurl_mime_data(curl_mimepart *p, const char *d, size_t n) { return ccurl_available() ? curl.mime_data(p, d, n) : CURLE_FAILED_INIT; }
void ccurl_mime_free(curl_mime *m) { if (ccurl_available() && m) curl.mime_free(m); }
const curl_version_info_data *ccurl_version_info(void) { return ccurl_available() ? curl.version_info(CURLVERSION_NOW) : NULL; }

CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v) { return ccurl_available() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v) { return ccurl_available() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v) { return ccurl_available() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return ccurl_available() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_setopt_write_function(CURL *h, CURLoption o, ccurl_write_cb v) { return ccurl_available() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return ccurl_available() ? curl.easy_setopt(h, o, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v) { return ccurl_available() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
CURLcode ccurl_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v) { return ccurl_available() ? curl.easy_getinfo(h, i, v) : CURLE_FAILED_INIT; }
