#ifndef POLYFORGE_CCURL_H
#define POLYFORGE_CCURL_H
/* libcurl, loaded on first use.
 *
 * polyforge links no libcurl: curl and the ~30 libraries it pulls in (TLS, Kerberos, LDAP, IDN...) cost several
 * milliseconds of symbol resolution at every process start, which a thumbnail or a QC of a small file should not
 * pay for an HTTP client it never uses. The first call of any ccurl_ function opens the system's libcurl.so.4 with
 * dlopen; only `generate` and the emulator tests get there.
 *
 * The types and constants are libcurl's own (<curl/curl.h>, from libcurl4-openssl-dev); call the ccurl_ functions,
 * never curl_ ones (those would not link). */
#include <curl/curl.h>

/* 1 when libcurl is loaded (loading it now if needed), 0 when it cannot be; ccurl_load_error() then says why. */
int ccurl_available(void);
const char *ccurl_load_error(void);

/* Each ccurl_X calls libcurl's curl_X. When libcurl cannot be loaded they fail as libcurl reports an
 * initialisation failure: NULL handles, CURLE_FAILED_INIT. */
CURLcode ccurl_global_init(long flags);
CURL *ccurl_easy_init(void);
void ccurl_easy_reset(CURL *handle);
void ccurl_easy_cleanup(CURL *handle);
CURLcode ccurl_easy_perform(CURL *handle);
const char *ccurl_easy_strerror(CURLcode code);
struct curl_slist *ccurl_slist_append(struct curl_slist *list, const char *text);
void ccurl_slist_free_all(struct curl_slist *list);
curl_mime *ccurl_mime_init(CURL *handle);
curl_mimepart *ccurl_mime_addpart(curl_mime *mime);
CURLcode ccurl_mime_name(curl_mimepart *part, const char *name);
CURLcode ccurl_mime_filename(curl_mimepart *part, const char *filename);
CURLcode ccurl_mime_type(curl_mimepart *part, const char *type);
CURLcode ccurl_mime_data(curl_mimepart *part, const char *data, size_t size);
void ccurl_mime_free(curl_mime *mime);
/* curl_version_info(CURLVERSION_NOW), or NULL. */
const curl_version_info_data *ccurl_version_info(void);

/* curl_easy_setopt/getinfo are variadic, which Swift cannot call: typed wrappers. */
typedef size_t (*ccurl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
CURLcode ccurl_setopt_string(CURL *h, CURLoption o, const char *v);
CURLcode ccurl_setopt_long(CURL *h, CURLoption o, long v);
CURLcode ccurl_setopt_pointer(CURL *h, CURLoption o, void *v);
CURLcode ccurl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode ccurl_setopt_write_function(CURL *h, CURLoption o, ccurl_write_cb v);
CURLcode ccurl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v);
CURLcode ccurl_getinfo_long(CURL *h, CURLINFO i, long *v);
CURLcode ccurl_getinfo_off_t(CURL *h, CURLINFO i, curl_off_t *v);
#endif
