-- One spawned task fails at once; another is still sleeping and must
-- finish and print anyway. The main chunk ends first.
task.spawn(function()
  error("task exploded")
end)
task.spawn(function()
  time.sleep(0.3)
  print("survivor done")
end)
print("main done")
