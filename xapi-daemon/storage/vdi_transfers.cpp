// Raw VDI import and export over HTTP.
#include "storage/vdi_transfers.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/api_error.hpp"
#include "api/session_registry.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"
#include "records_generated.hpp"
#include "storage/sr_records.hpp"
#include "storage/vdi_claims.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace di = dom0::diskimage;
namespace {

unsigned status_of(const std::string& code) {
    if (code == "SESSION_INVALID" || code == "SESSION_AUTHENTICATION_FAILED")
        return 401;
    if (code == "HANDLE_INVALID" || code == "UUID_INVALID")
        return 404;
    if (code == "VDI_READONLY")
        return 403;
    if (code == "VDI_IN_USE")
        return 409;
    if (code == "MESSAGE_PARAMETER_MISSING" || code == "VALUE_NOT_SUPPORTED")
        return 400;
    return 500;
}

TransferFailure failure(const std::string& code, const std::vector<std::string>& params) {
    nlohmann::json body = nlohmann::json::array({code});
    for (const std::string& p : params)
        body.push_back(p);
    return TransferFailure(status_of(code), body.dump() + "\n");
}

TransferFailure failure(const ApiError& e) {
    return failure(e.code(), e.params());
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
            hex_digit(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
            i += 2;
        } else if (s[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : in) {
        if (c == '=')
            break;
        const std::size_t v = kAlphabet.find(c);
        if (v == std::string_view::npos)
            return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xff));
        }
    }
    return out;
}

class VdiTransfer final : public DiskTransfer {
  public:
    VdiTransfer(ApiState& state, std::shared_ptr<const bool> api_alive,
                std::unique_ptr<VdiClaim> claim, std::unique_ptr<di::DiskImage> image,
                std::string vdi, std::string sr, std::string temporary_session, bool writing)
        : state_(state),
          api_alive_(std::move(api_alive)),
          claim_(std::move(claim)),
          image_(std::move(image)),
          vdi_(std::move(vdi)),
          sr_(std::move(sr)),
          session_(std::move(temporary_session)),
          writing_(writing) {}

    ~VdiTransfer() override { logout(); }

    std::uint64_t size() const override { return image_->virtual_size(); }

    void write(std::uint64_t offset, std::span<const std::byte> data) override {
        if (offset + data.size() > image_->virtual_size()) {
            throw failure("VALUE_NOT_SUPPORTED",
                          {"content-length", std::to_string(offset + data.size()),
                           "the VDI holds " + std::to_string(image_->virtual_size()) + " bytes"});
        }
        const bool zeros =
            std::all_of(data.begin(), data.end(), [](std::byte b) { return b == std::byte{0}; });
        try {
            // Zeros over what already reads as zeros are not written: the image stays sparse.
            if (zeros && image_->known_zero(offset, data.size()))
                return;
            image_->write(offset, data);
        } catch (const di::ImageError& e) {
            throw failure("SR_BACKEND_FAILURE", {"1", "", e.what()});
        }
    }

    void read(std::uint64_t offset, std::span<std::byte> out) override {
        try {
            image_->read(offset, out);
        } catch (const di::ImageError& e) {
            throw failure("SR_BACKEND_FAILURE", {"1", "", e.what()});
        }
    }

    void finish(bool complete) override {
        (void)complete;  // what was written stays written, as with any disk
        try {
            if (writing_)
                image_->flush();
        } catch (const di::ImageError& e) {
            throw failure("SR_BACKEND_FAILURE", {"1", "", e.what()});
        }
        const std::filesystem::path path = image_->path();
        image_.reset();
        if (writing_ && *api_alive_)
            record_usage(path);
        logout();
    }

  private:
    void record_usage(const std::filesystem::path& path) {
        ObjectStore& store = state_.store;
        const int cls = store.class_index("VDI");
        VdiFile file;
        file.path = path;
        try {
            auto uuid = store.get_field(cls, vdi_, store.field_index(cls, "uuid"));
            if (!uuid)
                return;
            FileSr sr = attached_sr(store, sr_);
            auto found = sr.find(uuid->as<std::string>());
            if (!found)
                return;
            store.transact([&](Transaction& txn) {
                if (txn.get(cls, vdi_) == nullptr)
                    return;
                refresh_vdi(txn, vdi_, *found);
                refresh_sr(txn, sr_);
            });
        } catch (const std::exception&) {
            // The figures catch up at the next scan.
        }
    }

    void logout() {
        if (session_.empty() || !*api_alive_)
            return;
        try {
            state_.sessions.close(state_, session_);
        } catch (const std::exception&) {
        }
        session_.clear();
    }

    ApiState& state_;
    std::shared_ptr<const bool> api_alive_;  // false once the API is gone (daemon exit)
    std::unique_ptr<VdiClaim> claim_;        // held until the transfer is destroyed
    std::unique_ptr<di::DiskImage> image_;
    std::string vdi_;
    std::string sr_;
    std::string session_;
    bool writing_;
};

}  // namespace

std::optional<std::string> query_parameter(std::string_view target, std::string_view key) {
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos)
        return std::nullopt;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (url_decode(pair.substr(0, eq)) == key)
            return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        rest = rest.substr(amp + 1);
    }
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view header) {
    constexpr std::string_view kBasic = "Basic ";
    if (header.size() < kBasic.size() ||
        !std::equal(kBasic.begin(), kBasic.end(), header.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
        return std::nullopt;
    std::string_view encoded = header.substr(kBasic.size());
    while (!encoded.empty() && encoded.front() == ' ')
        encoded.remove_prefix(1);
    auto decoded = base64_decode(encoded);
    if (!decoded)
        return std::nullopt;
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    return std::pair{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

void VdiTransfers::open(TransferRequest request, Opened done) {
    post_([this, request = std::move(request), done = std::move(done)] {
        try {
            done(open_now(request), std::nullopt);
        } catch (const TransferFailure& f) {
            done(nullptr, f);
        } catch (const ApiError& e) {
            done(nullptr, failure(e));
        } catch (const std::exception& e) {
            done(nullptr, failure("INTERNAL_ERROR", {e.what()}));
        }
    });
}

std::unique_ptr<DiskTransfer> VdiTransfers::open_now(const TransferRequest& request) {
    ObjectStore& store = state_.store;
    CallContext ctx(state_, request.peer);
    // Who calls: a session named in the query, or a login with Basic credentials.
    std::string temporary;
    if (auto session = query_parameter(request.target, "session_id")) {
        state_.sessions.touch(state_, *session);
    } else if (auto credentials = basic_credentials(request.authorization)) {
        const rpc::Value s = state_.handlers.session->login_with_password(
            ctx, credentials->first, credentials->second, "1.0", "raw-vdi-transfer");
        temporary = s.as<std::string>();
    } else {
        throw failure("SESSION_INVALID", {""});
    }
    auto end_session = [&] {
        if (!temporary.empty())
            state_.sessions.close(state_, temporary);
    };
    try {
        const int cls = store.class_index("VDI");
        auto named = query_parameter(request.target, "vdi");
        if (!named || named->empty())
            throw failure("MESSAGE_PARAMETER_MISSING", {"vdi"});
        std::string vdi = *named;
        if (!store.exists(cls, vdi)) {
            auto by_uuid = store.find_by_uuid(cls, vdi);
            if (!by_uuid)
                throw ApiError::handle_invalid("VDI", vdi);
            vdi = *by_uuid;
        }
        const VDIRecord record = VDIRecord::from_struct(*store.get(cls, vdi));
        const bool writing = request.kind == TransferRequest::Kind::import_raw;
        if (writing && record.read_only)
            throw ApiError("VDI_READONLY", {vdi});
        if (writing)
            check_not_in_use(store, vdi, "import");
        if (record.missing)
            throw ApiError("VDI_MISSING", {record.SR.id, vdi});
        auto claim = std::make_unique<VdiClaim>(
            vdi, writing ? VdiClaim::Mode::exclusive : VdiClaim::Mode::shared,
            writing ? "import" : "export");
        FileSr sr = attached_sr(store, record.SR.id);
        auto file = storage_call([&] { return sr.find(record.uuid); });
        if (!file)
            throw ApiError("VDI_MISSING", {record.SR.id, vdi});
        di::OpenOptions options;
        options.writable = writing;
        options.lock = writing;  // a reader does not stop a running guest's writes
        auto image =
            storage_call([&] { return di::open_image(file->path, options, file->format); });
        return std::make_unique<VdiTransfer>(state_, alive_, std::move(claim), std::move(image),
                                             vdi, record.SR.id, std::exchange(temporary, {}),
                                             writing);
    } catch (...) {
        end_session();
        throw;
    }
}

}  // namespace tern::xapi
