-- The main chunk ends at once; the process must stay until the task ends.
task.spawn(function()
  time.sleep(0.3)
  print("task done")
end)
print("main done")
