// The RAII wrappers over SQLite's C API.
#include "store/sqlite_db.hpp"

namespace tern::xapi {

namespace {
[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    throw StoreError(std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no memory"));
}
}  // namespace

SqliteDb::SqliteDb(const std::filesystem::path& path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "no memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw StoreError("cannot open " + path.string() + ": " + why);
    }
    sqlite3_busy_timeout(db_, 5000);
}

SqliteDb::~SqliteDb() {
    sqlite3_close(db_);
}

void SqliteDb::exec(std::string_view sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string why = err != nullptr ? err : "unknown error";
        sqlite3_free(err);
        throw StoreError(std::string(sql.substr(0, 60)) + ": " + why);
    }
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
        fail(db, "prepare " + std::string(sql.substr(0, 60)));
    }
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

void Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        fail(db_, "bind");
}
void Statement::bind_int(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        fail(db_, "bind");
}
void Statement::bind_double(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK)
        fail(db_, "bind");
}
void Statement::bind_text(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
        fail(db_, "bind");
    }
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail(db_, "step");
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const {
    return sqlite3_column_count(stmt_);
}
std::string Statement::column_name(int index) const {
    return sqlite3_column_name(stmt_, index);
}
int Statement::column_type(int index) const {
    return sqlite3_column_type(stmt_, index);
}
std::int64_t Statement::column_int(int index) const {
    return sqlite3_column_int64(stmt_, index);
}
double Statement::column_double(int index) const {
    return sqlite3_column_double(stmt_, index);
}
std::string Statement::column_text(int index) const {
    const unsigned char* text = sqlite3_column_text(stmt_, index);
    return text != nullptr ? reinterpret_cast<const char*>(text) : "";
}

}  // namespace tern::xapi
