#include "net/io_scheduler.hpp"

#include <exception>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/detail/set_thread_name.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/execution_unit.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "net/log.hpp"

namespace zeal::net {

namespace asio = boost::asio;

namespace {

/// A posted resume of one actor. It owns the reference the actor took when it scheduled itself: a job
/// the io_context destroys without running (at the very end) still releases it.
class job {
 public:
  explicit job(caf::resumable* r) : r_(r) {}
  job(job&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
  job& operator=(job&&) = delete;
  job(const job&) = delete;
  ~job() {
    if (r_) intrusive_ptr_release(r_);
  }
  caf::resumable* take() {
    auto* r = r_;
    r_ = nullptr;
    return r;
  }

 private:
  caf::resumable* r_;
};

class io_scheduler final : public caf::scheduler::abstract_coordinator {
 public:
  explicit io_scheduler(caf::actor_system& sys) : abstract_coordinator(sys), unit_(this, &sys) {}

  static caf::actor_system::module* make(caf::actor_system& sys) { return new io_scheduler(sys); }

  asio::io_context& context() { return ioc_; }

  void enqueue(caf::resumable* ptr) override {
    asio::post(ioc_, [this, j = job{ptr}]() mutable { run(j.take()); });
  }

  caf::detail::thread_safe_actor_clock& clock() noexcept override { return clock_; }

 protected:
  void start() override {
    work_.emplace(ioc_.get_executor());
    io_thread_ = std::thread{[this] {
      caf::detail::set_thread_name("zeal.io");
      system().thread_started();
      for (;;) {
        try {
          ioc_.run();
          break;
        } catch (const std::exception& e) {
          log().error("uncaught exception on the I/O thread: {}", e.what());
        }
      }
      system().thread_terminates();
    }};
    timer_ = std::thread{[this] {
      caf::detail::set_thread_name("caf.clock");
      system().thread_started();
      clock_.run_dispatch_loop();
      system().thread_terminates();
    }};
    abstract_coordinator::start();  // the utility actors (detached)
  }

  /// Called by the actor system after its last actor ended: the handlers still queued run, then the
  /// thread ends (a socket still open on the context does not keep it alive).
  void stop() override {
    stop_actors();
    work_.reset();
    asio::post(ioc_, [this] { ioc_.stop(); });
    io_thread_.join();
    // Actors still scheduled now (CAF's network layer hands messages to its brokers' helpers up to the
    // end) are cleaned up, not resumed, as CAF's own scheduler does with what is left in its queues:
    // otherwise their mailboxes keep them alive. What their cleanup sends is drained the same way.
    draining_ = true;
    ioc_.restart();
    ioc_.poll();
    clock_.cancel_dispatch_loop();
    timer_.join();
    ioc_.restart();
    ioc_.poll();
  }

 private:
  /// exec_later: an actor scheduled from a handler on the I/O thread.
  class unit final : public caf::execution_unit {
   public:
    unit(io_scheduler* owner, caf::actor_system* sys) : caf::execution_unit(sys), owner_(owner) {}
    void exec_later(caf::resumable* ptr) override { owner_->enqueue(ptr); }

   private:
    io_scheduler* owner_;
  };

  void run(caf::resumable* ptr) {
    if (draining_) {
      cleanup_and_release(ptr);
      return;
    }
    switch (ptr->resume(&unit_, max_throughput())) {
      case caf::resumable::resume_later:
        enqueue(ptr);  // keeps its reference: more messages than one turn takes
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
      case caf::resumable::shutdown_execution_unit:
        intrusive_ptr_release(ptr);
        break;
    }
  }

  asio::io_context ioc_{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  caf::detail::thread_safe_actor_clock clock_;
  unit unit_;
  std::thread io_thread_;
  std::thread timer_;
  bool draining_ = false;  // set by stop() once the I/O thread ended (then only stop()'s thread runs)
};

}  // namespace

void use_io_scheduler(caf::actor_system_config& cfg) {
  cfg.module_factories.push_back(&io_scheduler::make);
}

asio::io_context* io_context_of(caf::actor_system& sys) {
  auto* s = dynamic_cast<io_scheduler*>(&sys.scheduler());
  return s ? &s->context() : nullptr;
}

}  // namespace zeal::net
