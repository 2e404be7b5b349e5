#pragma once

namespace zeal::crdt {

/// Yjs update encoding: v1 (encodeStateAsUpdate) or v2 (encodeStateAsUpdateV2).
enum class update_format { v1, v2 };

}  // namespace zeal::crdt
