// HTTP/1.1 POSTs over one kept-alive stream, reopened when the server has closed it.
#pragma once

#include <memory>
#include <string>

#include "stream.hpp"

namespace tern::xenapi::detail {

class HttpClient {
  public:
    explicit HttpClient(std::unique_ptr<Endpoint> endpoint) : endpoint_(std::move(endpoint)) {}

    // Sends `body` as text/xml to "/" and returns the answer's body; a status other than 200
    // or a broken connection raises TransportError. A request on a reused connection that the
    // server closed before answering a single byte is sent once more on a fresh one.
    std::string post(const std::string& body);

  private:
    // Answers false when the stream closed before the first byte of the answer.
    bool try_post(const std::string& request, std::string& answer);

    std::unique_ptr<Endpoint> endpoint_;
    std::unique_ptr<Stream> stream_;
};

}  // namespace tern::xenapi::detail
