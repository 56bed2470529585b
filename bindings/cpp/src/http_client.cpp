#include "http_client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace tern::xenapi::detail {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return std::string(s);
}

// Reads from a stream with a buffer; EOF in the middle of an answer is a TransportError.
class Reader {
  public:
    explicit Reader(Stream& s) : s_(s) {}

    bool fill() {
        char buf[16384];
        const std::size_t n = s_.read_some(buf, sizeof buf);
        if (n == 0)
            return false;
        buf_.append(buf, n);
        total_ += n;
        return true;
    }
    std::string line() {
        for (;;) {
            if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
                std::string l = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                if (!l.empty() && l.back() == '\r')
                    l.pop_back();
                return l;
            }
            if (!fill())
                throw TransportError("the server closed the connection mid-answer");
        }
    }
    std::string take(std::size_t n) {
        while (buf_.size() < n)
            if (!fill())
                throw TransportError("the server closed the connection mid-answer");
        std::string out = buf_.substr(0, n);
        buf_.erase(0, n);
        return out;
    }
    std::string rest() {
        while (fill()) {
        }
        return std::exchange(buf_, {});
    }
    std::size_t total() const { return total_; }

  private:
    Stream& s_;
    std::string buf_;
    std::size_t total_ = 0;
};

std::size_t parse_size(const std::string& text, int base) {
    std::size_t n = 0;
    const std::string t = trim(text);
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n, base);
    if (ec != std::errc())
        throw TransportError("bad HTTP length \"" + text + "\"");
    (void)end;
    return n;
}

}  // namespace

std::string HttpClient::post(const std::string& body) {
    const std::string request = "POST / HTTP/1.1\r\nHost: " + endpoint_->host() +
                                "\r\nUser-Agent: tern-xenapi\r\nContent-Type: text/xml\r\n"
                                "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string answer;
    const bool reused = stream_ != nullptr;
    if (try_post(request, answer))
        return answer;
    if (!reused)
        throw TransportError("the server closed the connection without answering");
    if (try_post(request, answer))
        return answer;
    throw TransportError("the server closed the connection without answering");
}

bool HttpClient::try_post(const std::string& request, std::string& answer) {
    if (!stream_)
        stream_ = endpoint_->open();
    try {
        stream_->write_all(request);
    } catch (const TransportError&) {
        stream_.reset();
        return false;
    }
    try {
        Reader in(*stream_);
        if (!in.fill()) {
            stream_.reset();
            return false;
        }
        std::string status = in.line();
        while (status.empty())
            status = in.line();
        if (!status.starts_with("HTTP/1."))
            throw TransportError("not an HTTP answer: " + status);
        const int code = std::atoi(status.c_str() + 9);
        bool chunked = false, close = status.starts_with("HTTP/1.0");
        std::size_t length = 0;
        bool has_length = false;
        for (std::string h = in.line(); !h.empty(); h = in.line()) {
            const auto colon = h.find(':');
            if (colon == std::string::npos)
                continue;
            const std::string name = lower(h.substr(0, colon));
            const std::string value = lower(trim(h.substr(colon + 1)));
            if (name == "content-length") {
                length = parse_size(value, 10);
                has_length = true;
            } else if (name == "transfer-encoding") {
                chunked = value.find("chunked") != std::string::npos;
            } else if (name == "connection") {
                close = value.find("close") != std::string::npos ||
                        (value.find("keep-alive") == std::string::npos && close);
            }
        }
        if (chunked) {
            answer.clear();
            for (;;) {
                const std::size_t n = parse_size(in.line(), 16);
                if (n == 0) {
                    while (!in.line().empty()) {
                    }
                    break;
                }
                answer += in.take(n);
                in.line();
            }
        } else if (has_length) {
            answer = in.take(length);
        } else {
            answer = in.rest();
            close = true;
        }
        if (close)
            stream_.reset();
        if (code != 200)
            throw TransportError("HTTP " + std::to_string(code) + " from the server: " + status);
        return true;
    } catch (...) {
        stream_.reset();
        throw;
    }
}

}  // namespace tern::xenapi::detail
