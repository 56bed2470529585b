// Putting a failure's parameters next to their names.
#include <algorithm>

#include "errors/error_texts.hpp"

namespace tern::cli {

std::string describe_failure(const std::string& code, const std::vector<std::string>& params) {
    const auto& texts = error_texts();
    auto known = std::find_if(texts.begin(), texts.end(),
                              [&](const ErrorText& text) { return text.code == code; });
    std::string sentence = code;
    if (known != texts.end() && !known->doc.empty()) {
        sentence += ": " + known->doc;
    }
    if (params.empty()) {
        return sentence;
    }
    sentence += " (";
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (i > 0) {
            sentence += ", ";
        }
        if (known != texts.end() && i < known->params.size()) {
            sentence += known->params[i] + ": ";
        }
        sentence += params[i];
    }
    return sentence + ")";
}

}  // namespace tern::cli
