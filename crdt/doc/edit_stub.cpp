#include "crdt/doc/doc_impl.hpp"
namespace zeal::crdt {
void format_cleanup_after_remote(doc_impl&, transaction&) {}
}
