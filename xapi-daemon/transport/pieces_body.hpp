// Defines PiecesBody: a Beast body made of the pieces of an encoded response (rpc::Piece), its
// own text and bytes shared with other responses, written out in order by one gathering write
// without being copied together first.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "rpc/xmlrpc_codec.hpp"

namespace tern::xapi {

struct PiecesBody {
    using value_type = std::vector<rpc::Piece>;

    static std::string_view bytes(const rpc::Piece& piece) {
        if (const auto* own = std::get_if<std::string>(&piece))
            return *own;
        return *std::get<std::shared_ptr<const std::string>>(piece);
    }

    static std::uint64_t size(const value_type& body) {
        std::uint64_t n = 0;
        for (const rpc::Piece& p : body)
            n += bytes(p).size();
        return n;
    }

    class writer {
      public:
        using const_buffers_type = std::vector<boost::asio::const_buffer>;

        template <bool isRequest, class Fields>
        writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body)
            : body_(body) {}

        void init(boost::beast::error_code& ec) { ec = {}; }

        // Every piece at once: the body is in memory already.
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
            ec = {};
            const_buffers_type out;
            out.reserve(body_.size());
            for (const rpc::Piece& p : body_) {
                const std::string_view b = bytes(p);
                if (!b.empty())
                    out.emplace_back(b.data(), b.size());
            }
            return std::make_pair(std::move(out), false);
        }

      private:
        const value_type& body_;
    };
};

}  // namespace tern::xapi
