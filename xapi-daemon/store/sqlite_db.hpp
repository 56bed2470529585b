// Defines SqliteDb and Statement: RAII owners of an SQLite connection and a prepared statement,
// throwing StoreError with SQLite's message when a call fails.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tern::xapi {

class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind_null(int index);
    void bind_int(int index, std::int64_t value);
    void bind_double(int index, double value);
    void bind_text(int index, std::string_view value);
    // Steps once: true while a row is there, false when done.
    bool step();
    void reset();

    int column_count() const;
    std::string column_name(int index) const;
    int column_type(int index) const;
    std::int64_t column_int(int index) const;
    double column_double(int index) const;
    std::string column_text(int index) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
  public:
    // Opens (creating) the database; ":memory:" for a private in-memory one.
    explicit SqliteDb(const std::filesystem::path& path);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec(std::string_view sql);
    sqlite3* handle() const { return db_; }

  private:
    sqlite3* db_ = nullptr;
};

}  // namespace tern::xapi
