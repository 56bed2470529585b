// PAM authentication: one conversation that answers every password prompt.
#include "api/pam_auth.hpp"

#include <security/pam_appl.h>

#include <cstdlib>
#include <cstring>

namespace tern::xapi {
namespace {

int converse(int count, const struct pam_message** messages, struct pam_response** responses,
             void* data) {
    auto* password = static_cast<const std::string*>(data);
    auto* out = static_cast<pam_response*>(
        std::calloc(static_cast<std::size_t>(count), sizeof(pam_response)));
    if (out == nullptr)
        return PAM_BUF_ERR;
    for (int i = 0; i < count; ++i) {
        if (messages[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
            messages[i]->msg_style == PAM_PROMPT_ECHO_ON) {
            out[i].resp = strdup(password->c_str());
        }
    }
    *responses = out;
    return PAM_SUCCESS;
}

}  // namespace

bool check_password(const std::string& user, const std::string& password, std::string& why) {
    struct pam_conv conversation {
        converse, const_cast<std::string*>(&password)
    };
    pam_handle_t* handle = nullptr;
    int rc = pam_start("xapid", user.c_str(), &conversation, &handle);
    if (rc == PAM_SUCCESS)
        rc = pam_authenticate(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (rc == PAM_SUCCESS)
        rc = pam_acct_mgmt(handle, PAM_SILENT);
    if (rc != PAM_SUCCESS)
        why = pam_strerror(handle, rc);
    pam_end(handle, rc);
    return rc == PAM_SUCCESS;
}

}  // namespace tern::xapi
